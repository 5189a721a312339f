"""Zhoushan open-government assistant: policy Q&A, 12345 tickets, public consultation."""

__version__ = "0.1.0"
