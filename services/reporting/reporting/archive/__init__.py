"""The signed year-end archive (R-65): frozen files, a manifest of their hashes, a detached GOST signature."""
