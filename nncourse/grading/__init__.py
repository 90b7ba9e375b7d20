"""Students' copies, self-checks and grading that students cannot fool.

* :mod:`.release` writes the students' copies of the instructor notebooks
  (``nncourse release``) and the learner's workspace (``nncourse lab``);
* :mod:`.check` runs a learner's notebook with nbval in a fresh kernel and
  prints a table of exercises (``nncourse check``);
* :mod:`.grade` grades a folder of submissions (``nncourse grade``): each
  submission's answers are put into a fresh copy of the instructor notebook
  (:mod:`.rebuild`), run with nbval in an isolated, limited process
  (:mod:`.runner`, :mod:`.sandbox`), and judged in the grader's own process
  from plain data; :mod:`.report` writes the gradebook, feedback and JUnit XML.
"""
