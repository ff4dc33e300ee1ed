"""GraphQL documents of the server snapshot, rebuild, save-image and screenshot commands."""

TASK_FIELDS = "task { id kind status progress stage error }"
ERRORS = "errors { field message code }"
SNAPSHOT_FIELDS = "id name status includesMemory quiesced error createdAt server { id name }"

SNAPSHOTS = f"""query($first: Int, $after: String, $filter: ServerSnapshotFilter) {{
  serverSnapshots(first: $first, after: $after, filter: $filter) {{
    totalCount pageInfo {{ hasNextPage endCursor }} edges {{ node {{ {SNAPSHOT_FIELDS} }} }} }} }}"""

SNAPSHOT_CREATE = f"""mutation($input: ServerSnapshotCreateInput!) {{ serverSnapshotCreate(input: $input) {{
  snapshot {{ {SNAPSHOT_FIELDS} }} {TASK_FIELDS} {ERRORS} }} }}"""

SNAPSHOT_REVERT = f"""mutation($input: ServerSnapshotRevertInput!) {{ serverSnapshotRevert(input: $input) {{
  snapshot {{ {SNAPSHOT_FIELDS} }} {TASK_FIELDS} {ERRORS} }} }}"""

SNAPSHOT_DELETE = f"""mutation($input: ServerSnapshotDeleteInput!) {{ serverSnapshotDelete(input: $input) {{
  snapshot {{ {SNAPSHOT_FIELDS} }} {TASK_FIELDS} {ERRORS} }} }}"""

REBUILD = f"""mutation($input: ServerRebuildInput!) {{ serverRebuild(input: $input) {{
  server {{ id name status }} {TASK_FIELDS} {ERRORS} }} }}"""

SAVE_IMAGE = f"""mutation($input: ImageCreateFromServerInput!) {{ imageCreateFromServer(input: $input) {{
  image {{ id name status }} {TASK_FIELDS} {ERRORS} }} }}"""

SCREENSHOT = f"""mutation($input: ServerScreenshotInput!) {{ serverScreenshot(input: $input) {{
  server {{ id name }} {TASK_FIELDS} screenshot {{ mimeType dataUrl size takenAt }} {ERRORS} }} }}"""
