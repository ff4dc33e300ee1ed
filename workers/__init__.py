"""Workers: arq jobs that run task stages, the reaper, and host heartbeats."""
