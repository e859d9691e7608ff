"""HW6 checks that have no single right output to compare: an instructor's Python escape hatch.

Each check is called as check(student, rng) -> (fraction, feedback): `student.call(name, ...)`
runs the student's function in its sandbox (raising StudentError, which the grader reports, when
it fails) and `rng` is a seeded numpy Generator. These run in the grader, not the sandbox, and
import only the public autograder.check_api.

They are visible checks: the handout ships this file and the self-check runs them too (with the
public seed; Gradescope with its secret one), so it must not import the reference or the
solution. train_check.py holds the hidden one.
"""

import numpy as np

from autograder.check_api import RngSeed, StudentError, describe_mismatch

# Dropout statistics are checked at SIGMAS standard deviations of the binomial draw: a correct
# dropout fails one of them with probability ~1e-8, a wrong rate (p as keep probability) by
# hundreds of sigmas.
SIGMAS = 6.0


def dropout_forward_statistics(student, rng):
    p = 0.3
    H = rng.uniform(0.5, 1.5, size=(200, 150))
    out, _ = student.call("dropout_forward", H, p, RngSeed(int(rng.integers(1 << 31))))
    out = np.asarray(out, dtype=np.float64)
    if out.shape != H.shape:
        return 0.0, f"`dropout_forward` returned shape {out.shape} for an input of shape {H.shape}."
    kept = out != 0
    problems = []
    dropped = 1 - kept.mean()
    sigma = np.sqrt(p * (1 - p) / H.size)
    if abs(dropped - p) > SIGMAS * sigma:
        problems.append(f"it dropped {dropped:.3f} of the units with p = {p}; about {p} should be "
                        "dropped (is p the drop probability in your code, not the keep one?)")
    if not kept.any():
        problems.append("it dropped every unit")
    elif not np.allclose(out[kept], H[kept] / (1 - p), rtol=1e-9, atol=0):
        ratio = float(np.median(out[kept] / H[kept]))
        problems.append(f"kept units are H times {ratio:.4g}; they should be H/(1 - p) = H times "
                        f"{1 / (1 - p):.4g} so that E[out] = H (inverted dropout)")
    mean_ratio = out.mean() / H.mean()
    if abs(mean_ratio - 1) > SIGMAS * np.sqrt(p / (1 - p) / H.size) * 1.5:
        problems.append(f"E[out] is {mean_ratio:.3f}·E[H]; inverted dropout keeps E[out] = H")
    rows_alike = (kept[1:] == kept[0]).all(axis=1).mean()  # the share of rows masked as row 0
    columns_alike = (kept.T[1:] == kept[:, 0]).all(axis=1).mean()
    if rows_alike > 0.5 or columns_alike > 0.5:
        axis = "row" if rows_alike > 0.5 else "column"
        problems.append(f"every {axis} drops the same units: draw an independent mask entry for "
                        "every unit, e.g. rng.random(H.shape)")
    identity, _ = student.call("dropout_forward", H[:3], 0.0, RngSeed(1))
    if not np.allclose(np.asarray(identity, dtype=np.float64), H[:3], rtol=1e-12, atol=0):
        problems.append("with p = 0 it should return H unchanged")
    checks = 5
    feedback = "`dropout_forward`: " + "; ".join(problems) + "." if problems else ""
    return (checks - len(problems)) / checks, feedback


def dropout_backward_with_a_given_mask(student, rng):
    """dH = dout / (1 - p) where the grader's keep-mask keeps a unit, 0 where it drops it.

    The mask is drawn here, not by the student's dropout_forward, so that backward is graded on
    its own (a missing or wrong forward costs forward's points only). The contract lets a mask
    be booleans or 0/1 numbers, whichever the student's forward returns, so a backward right for
    either format is right: booleans are tried first, then the same mask as 0.0/1.0.
    """
    p = 0.4
    dout = rng.standard_normal((6, 7))
    kept = rng.random(dout.shape) >= p
    expected = dout * kept / (1 - p)
    first_problem = None
    for mask in (kept, kept.astype(np.float64)):
        try:
            dH = np.asarray(student.call("dropout_backward", dout, mask, p), dtype=np.float64)
        except StudentError as error:
            first_problem = first_problem or error
            continue
        if dH.shape == expected.shape and np.allclose(dH, expected, rtol=1e-9, atol=1e-12):
            return 1.0, ""
        first_problem = first_problem or ("`dropout_backward(dout, mask, p = 0.4)` with a "
                                          "keep-mask from the grader: "
                                          + describe_mismatch(dH, expected, drop=p))
    if isinstance(first_problem, StudentError):
        raise first_problem
    return 0.0, first_problem


def init_params_shapes(student, rng):
    D, M, K = 5, 4, 3
    params = student.call("init_params", D, M, K, RngSeed(int(rng.integers(1 << 31))))
    if not isinstance(params, dict):
        return 0.0, "`init_params` should return a dict with keys W1, b1, W2, b2."
    shapes = {"W1": (D, M), "b1": (M,), "W2": (M, K), "b2": (K,)}
    problems = []
    for name, shape in shapes.items():
        if name not in params:
            problems.append(f"no {name}")
            continue
        value = np.asarray(params[name], dtype=np.float64)
        if value.shape != shape:
            problems.append(f"{name} has shape {value.shape}, expected {shape}")
        elif not np.isfinite(value).all():
            problems.append(f"{name} has non-finite values")
        elif name.startswith("W") and np.ptp(value) == 0:
            problems.append(f"all entries of {name} are equal: hidden units would stay identical "
                            "(symmetry); draw them at random")
        elif name.startswith("b") and np.abs(value).max() > 1:
            problems.append(f"{name} should be zero or small")
    if problems:
        return 0.0, "`init_params(5, 4, 3, rng)`: " + "; ".join(problems) + "."
    return 1.0, ""
