"""Students' copies, self-checks and grading that students cannot fool.

* :mod:`.release` writes the students' copies of the instructor notebooks
  (``nncourse release``) and the learner's workspace (``nncourse lab``);
* :mod:`.check` runs a learner's notebook with nbval in a fresh kernel and
  prints a table of exercises (``nncourse check``);
* :mod:`.grade` grades a folder of submissions (``nncourse grade``): each
  submission's answers are put into a fresh copy of the instructor notebook
  (:mod:`.rebuild`), run with nbval in a bubblewrap sandbox with a cgroup of
  its own (:mod:`.runner`, :mod:`.sandbox`, :mod:`.cgroups`), and judged in
  the grader's own process from plain data handed over a pipe
  (:mod:`._record`); a canary run of the instructor's notebook guards every
  batch; :mod:`.report` writes the gradebook, feedback and JUnit XML;
* :mod:`.notebook_format` is how all of them find exercises in a notebook,
  and ``nbval_sanitize.cfg`` is the course's one nbval sanitize file (the test
  suite uses it too).
"""
