"""What the service records about itself: Prometheus counters (counters.py), the answer log with its
ratings (answer_log.py, SQLite in the index folder) and one JSON line per HTTP request (request_log.py).
Each is an observer the service wires to the answer pipeline and the job queue; neither knows of it."""
