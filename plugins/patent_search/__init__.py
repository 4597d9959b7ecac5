"""patent_search plugin."""
