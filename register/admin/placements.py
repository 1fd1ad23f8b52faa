"""Admin pages for this area of the register."""
