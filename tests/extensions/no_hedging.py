"""A verifier check (CHECKS in rag/answering/verifier.py): a sentence that hedges is unsupported."""
from rag.answering.verifier import Verdict


def no_hedging(claim, evidence):
    if not claim.question and "probably" in claim.text.lower():
        return Verdict("unsupported", "It hedges where the passage does not.")
    return None
