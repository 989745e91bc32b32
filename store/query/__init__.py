"""The query syntax of segments and the search bar: tokens, terms, SQL and search."""
