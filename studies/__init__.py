"""Studies: run the searches (``python -m studies.heart``) and report on them."""
