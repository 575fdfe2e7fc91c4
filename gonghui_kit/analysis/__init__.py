"""Analysis: indicators, peer comparison, standards, highlights and the draft summary's text."""
