"""Text analysis: tokens, sentences, abbreviations and the context of each claim."""
