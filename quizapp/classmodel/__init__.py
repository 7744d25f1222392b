"""What the class knows about each question: its easiness from everyone's first answers.

``service.refresh_estimates`` fits ``quizapp.scheduler.class_effects.fit_item_effects`` to the
first answer of every learner to every question of a set (``ItemStats.first_score``) and
writes each question's easiness, its set's mean and the number of learners onto the question
row; ``ClassEstimate`` keeps, per set, what the last estimate rested on. The scheduler starts
a learner's first answer to a question with the class's difficulty (``quizapp.scheduler.
class_prior``) once enough learners answered it. A background job (``jobs``) refreshes a set
when it gathered ``MIN_NEW_ANSWERS`` first answers, and a tenth more than the last estimate
rested on, since that estimate (checked after a learner's model is refitted, or every 25
answers of a learner without a model yet);
``flask --app quizapp classes estimate`` refreshes on demand.
"""
