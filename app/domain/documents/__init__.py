"""Printable documents (拣货单, 发货单, 装箱单, 面单, 发票, 对账单, 派车单, 退货授权): what each
shows, as a page-independent model; ``app.documents`` renders the model to PDF."""
