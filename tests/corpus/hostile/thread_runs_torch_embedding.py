"""The lookup runs torch's embedding on a helper thread, with the function's name built at run time
(dispatch modes are per thread, and no literal name appears). Rules break: the part scores 0."""
BREAKS = ("one_hot_lookup",)


def one_hot_lookup(indices, weight):
    import threading as _threading
    out = {}
    name = "emb" + "edding"
    worker = _threading.Thread(target=lambda: out.update(r=getattr(F, name)(indices, weight)))
    worker.start()
    worker.join()
    return out["r"]
