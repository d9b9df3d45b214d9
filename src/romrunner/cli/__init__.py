"""The thin command-line layer: parse, call the library, render text or a JSON envelope."""
