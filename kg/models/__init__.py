"""Models trained by the project and shipped inside the package (see craft_parser/README.md)."""
