"""Descent Lab's Streamlit layer: the chart component, figure builders, runs and shared controls."""
