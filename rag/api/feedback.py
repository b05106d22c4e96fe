"""Ratings: POST /api/answers/{answer_id}/feedback, a thumbs up or down (and a comment) on an answer."""
from __future__ import annotations

from fastapi import APIRouter

from rag.api.models import FeedbackRequest, FeedbackView


def routes(current, writer, prefix: str = "/api") -> APIRouter:
    router = APIRouter(prefix=f"{prefix}/answers", tags=["feedback"])

    # Open as ask is, to whoever may read the collection: they got the answer and know its random id.
    @router.post("/{answer_id}/feedback", response_model=FeedbackView)
    def feedback(answer_id: str, body: FeedbackRequest, service=current) -> dict:
        return service.rate(answer_id, body.rating, body.comment, body.correct_source)

    return router
