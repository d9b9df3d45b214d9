"""Cached external knowledge: observations per source, best answers, TTL and pruning."""
