"""The image context (glance): image records, their bytes in a store, upload, download and checks."""
