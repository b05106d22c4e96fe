"""What both wings read text with: sentences (`sentences.py`) and words, stems and BM25 tokens
(`words.py`). Imports nothing else of the package."""
