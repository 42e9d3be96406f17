"""Getting data in: return templates, reading and validating workbooks, bulk imports, the demo."""
