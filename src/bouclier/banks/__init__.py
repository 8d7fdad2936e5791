"""Banks of hashes: storage, import/export, matching."""
