"""Public catalogue pages: categories, category x city, listings, provider profiles."""
