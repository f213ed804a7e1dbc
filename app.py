"""Khối web app: only the routing. The pages live in planner/ui/ (one module per page)."""

import streamlit as st

from planner.ui import shell

shell.configure()
page = st.navigation(shell.pages())
shell.start()
page.run()
