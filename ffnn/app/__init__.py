"""The Streamlit glue every page shares: settings, session state, sidebar, training controls.
Only this subpackage, dashboard.py and pages/ import Streamlit."""
