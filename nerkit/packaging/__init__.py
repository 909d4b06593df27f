"""What a trained pipeline is packaged with: its meta (the model card), from
the config and the corpus it was trained on."""
