"""Collections: hand-picked lists and smart (rule-based) lists of games."""
