"""An answerer (ANSWERERS in rag/answering/pipeline.py): the first sentence of the best hit, cited."""
from rag.records import Answer, AnswerPart, Citation


class FirstSentence:
    def __init__(self, embedder, settings, cache, verifier):
        pass

    def answer(self, question, hits):
        chunk = hits[0].chunk
        start, end = chunk.sentences[0]
        quote = chunk.sentence_text(start, end)
        citation = Citation(id=1, source=chunk.source, title=chunk.title, date=chunk.date, quote=quote, start=start,
                            end=end, chunk_id=chunk.id, text=chunk.text, score=1.0)
        return Answer(answer=f"{quote} [1]", not_found=False, citations=[citation],
                      parts=[AnswerPart(text=quote, citations=[1])])
