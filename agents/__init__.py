"""Node agents: processes on resource nodes that act on arq jobs and never touch the database."""
