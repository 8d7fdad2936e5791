"""The bouclier command line."""
