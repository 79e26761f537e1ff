"""What every lab experiment's tests check the same way."""
import json

from deepbasics.lab.runner import check_result

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"  # the first 8 bytes of every PNG file


def assert_lab_contract(lab, result):
    """The runner's contract (plain JSON, exact types), no NaN or infinity, and titles, claims
    and notes in both languages."""
    check_result(lab.NAME, result)
    assert json.loads(json.dumps(result, allow_nan=False)) == result
    assert set(lab.TITLE) == set(lab.CLAIM) == set(result["note"]) == {"en", "ko"}
