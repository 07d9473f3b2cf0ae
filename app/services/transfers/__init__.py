"""Transfer use cases: create a draft, ship it (stock leaves the source), receive it (stock
arrives at the destination, possibly in parts), cancel it; each step writes its movements and
records its event in one transaction."""
