"""Trợ lý 06: a chatbot for Project 06 field campaigns."""
