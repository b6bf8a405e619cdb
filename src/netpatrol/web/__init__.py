"""`netpatrol serve`: a read-only web view and JSON API over one workspace.

state.py holds what a request reads (workspace, inventory, store, language); the view modules
(device_list, versions, period_view, report_files) turn the store into typed rows, and nothing else
reads Git; pages.py and api.py only route, check and render; auth.py and users.py decide who may.
"""
