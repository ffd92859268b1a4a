"""The lexicon and the longest-match scanner that grounds mentions to it."""
