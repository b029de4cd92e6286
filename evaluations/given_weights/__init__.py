"""Direct ("given") weights for a node: the coordinator sets the local weights of a parent's
children (from a regulation or an earlier study) instead of the panel comparing them pairwise.

parsing.py reads and checks the weights (bounded, exact fractions), services.py stores and
clears them with an audit entry, views.py / forms.py are the hierarchy editor's page for one
node, api.py the REST endpoint. The results read the stored weights (evaluations/results/).
"""
