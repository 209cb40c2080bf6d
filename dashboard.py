"""Home page of the ffnn dashboard: `streamlit run dashboard.py`."""

import streamlit as st

st.set_page_config(page_title="ffnn — learning parameters by gradient descent", layout="wide")
st.title("Learning the parameters of a feedforward network")
st.write("θ_{t+1} ← θ_t − η∇θ_t, applied to θ = W_1 … W_L, b_1 … b_L. The dashboard is being built.")
