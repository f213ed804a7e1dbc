"""Khối web app: only the routing. The pages live in planner/ui/ (one module per page).

Streamlit runs this file as ``__main__``; the solver's worker processes (started with
``forkserver``) import the main module again as ``__mp_main__``, and must not run the app.
"""

import streamlit as st

from planner.ui import shell

if __name__ == "__main__":
    shell.configure()
    page = st.navigation(shell.pages())
    shell.start()
    page.run()
