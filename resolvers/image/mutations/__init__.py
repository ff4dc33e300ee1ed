"""imageCreate, imageUpdate, imageDelete, imageShare, imageConvert: one per file."""
