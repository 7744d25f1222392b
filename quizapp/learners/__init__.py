"""What the app keeps about each learner between requests: figures updated by every answer,
the fit of their recall model (a background job), and the rebuild of both from the review log."""
