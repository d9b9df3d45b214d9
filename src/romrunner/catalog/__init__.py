"""Game catalogs imported from DAT files, and identification of files against them."""
