def mutate(data_dir, fraction, seed):
    raise NotImplementedError
