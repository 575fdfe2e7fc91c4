"""Present: the one formatter, charts, report sections, the indicators workbook and the Word draft."""
