"""Archive: the year folder's layout, its manifest and seal, and the pages around the reports."""
