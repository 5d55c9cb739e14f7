"""SGD on real data: full-batch, minibatch and single-sample descent fitting a model to data."""

import streamlit as st

from ui import sgd_view
from ui.messages import show_notice
from ui.runtime_patches import use_declared_navigation

STATE = sgd_view.page_state()

use_declared_navigation()
st.set_page_config(page_title="SGD on real data · Descent Lab", layout="wide")
notices = STATE.restore()

st.title("SGD on real data")
for notice in notices:
    show_notice(notice)
sgd_view.show(STATE)
