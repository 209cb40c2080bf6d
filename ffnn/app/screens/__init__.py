"""The views that pages pick from: each module has INTRO (a sentence or two), `view(run)` and,
where the view has settings of its own, `options()`. A page with several shows one at a time
(ffnn.app.page.show_views): only the picked view is drawn."""
