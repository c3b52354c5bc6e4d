"""Reading typed answers in one place: yes/no, cancel, options, dates, times, durations."""
