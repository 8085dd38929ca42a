"""How the tills of each country print a receipt: the templates tests/receipts/generate.py fills in."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Country:
    """How one country's tills print a receipt."""

    code: str
    lang: str
    currency: str
    sign: str
    """The currency as the receipt prints it: "R$", "$", "€"."""
    sign_after: bool
    comma_decimal: bool
    month_first: bool
    tax_id: tuple[str, ...]
    titles: tuple[str, ...]
    total_labels: tuple[str, ...]
    subtotal: str
    tax: str | None
    """A tax line added on top of the subtotal (US) or printed as included in it (MX, ES, AR)."""
    tax_added: bool
    discount: str
    cash: str
    change: str
    items_count: str
    footer: tuple[str, ...]
    known: tuple[tuple[str, str, str | None], ...]
    """(as printed, canonical name, category) of merchants locales/merchants.yaml knows."""
    unknown: tuple[str, ...]
    products: tuple[str, ...]
    streets: tuple[str, ...]


BR = Country(
    code="BR",
    lang="pt",
    currency="BRL",
    sign="R$",
    sign_after=False,
    comma_decimal=True,
    month_first=False,
    tax_id=("CNPJ: {d2}.{d3}.{d3}/0001-{d2}", "CNPJ {d2}.{d3}.{d3}/0001-{d2}"),
    titles=("CUPOM FISCAL ELETRONICO - SAT", "DOCUMENTO AUXILIAR DA NFC-E", "EXTRATO No. {d6}"),
    total_labels=("VALOR TOTAL R$", "TOTAL R$", "VALOR A PAGAR R$", "VALOR TOTAL"),
    subtotal="SUBTOTAL R$",
    tax="Tributos aprox. R$",
    tax_added=False,
    discount="DESCONTO R$",
    cash="DINHEIRO",
    change="TROCO R$",
    items_count="QTD. TOTAL DE ITENS",
    footer=("CONSUMIDOR NAO IDENTIFICADO", "OBRIGADO PELA PREFERENCIA"),
    known=(
        ("PAO DE ACUCAR", "Pão de Açúcar", "groceries"),
        ("CARREFOUR COMERCIO E INDUSTRIA", "Carrefour", "groceries"),
        ("ATACADAO S.A.", "Atacadão", "groceries"),
        ("DROGASIL", "Drogasil", "health"),
        ("ASSAI ATACADISTA", "Assaí", "groceries"),
        ("LOJAS RENNER S.A.", "Renner", "shopping"),
    ),
    unknown=(
        "PADARIA BOM JESUS",
        "MERCEARIA SAO JORGE",
        "SUPERMERCADO IRMAOS COSTA",
        "RESTAURANTE SABOR CASEIRO",
    ),
    products=(
        "ARROZ TIPO 1 5KG",
        "FEIJAO CARIOCA 1KG",
        "LEITE INTEGRAL 1L",
        "CAFE TORRADO 500G",
        "PAO FRANCES KG",
        "BANANA PRATA KG",
        "DETERGENTE 500ML",
        "OLEO DE SOJA 900ML",
        "ACUCAR REFINADO 1KG",
        "QUEIJO MUSSARELA",
        "SABONETE 90G",
        "REFRIGERANTE 2L",
        "MACARRAO 500G",
        "DIPIRONA 500MG",
    ),
    streets=(
        "RUA DAS FLORES, {n} - SAO PAULO/SP",
        "AV. BRASIL, {n} - RIO DE JANEIRO/RJ",
        "R. XV DE NOVEMBRO {n}",
    ),
)

MX = Country(
    code="MX",
    lang="es",
    currency="MXN",
    sign="$",
    sign_after=False,
    comma_decimal=False,
    month_first=False,
    tax_id=("RFC: {L3}{d6}{L2}{d1}", "R.F.C. {L3}{d6}{L2}{d1}"),
    titles=("TICKET DE VENTA", "TICKET No. {d6}"),
    total_labels=("TOTAL", "TOTAL A PAGAR", "TOTAL $"),
    subtotal="SUBTOTAL",
    tax="IVA 16%",
    tax_added=False,
    discount="DESCUENTO",
    cash="EFECTIVO",
    change="CAMBIO",
    items_count="TOTAL ARTICULOS",
    footer=("GRACIAS POR SU COMPRA", "ESTE TICKET NO ES FACTURA"),
    known=(
        ("OXXO", "Oxxo", "groceries"),
        ("WALMART SUPERCENTER", "Walmart", "groceries"),
        ("SORIANA HIPER", "Soriana", "groceries"),
        ("FARMACIAS GUADALAJARA", "Farmacias Guadalajara", "health"),
    ),
    unknown=("ABARROTES LA ESPERANZA", "TAQUERIA EL GUERO", "PAPELERIA LOPEZ"),
    products=(
        "COCA COLA 600ML",
        "TORTILLAS 1KG",
        "LECHE LALA 1L",
        "HUEVO 18 PZ",
        "PAN BIMBO GDE",
        "JABON ZOTE",
        "SABRITAS 45G",
        "AGUA CIEL 1L",
        "FRIJOL NEGRO 1KG",
        "ATUN DOLORES",
    ),
    streets=("AV. INSURGENTES SUR {n}, CDMX", "CALZ. INDEPENDENCIA {n}, GDL", "BLVD. ZAPATA {n} COL. CENTRO"),
)

ES = Country(
    code="ES",
    lang="es",
    currency="EUR",
    sign="€",
    sign_after=True,
    comma_decimal=True,
    month_first=False,
    tax_id=("CIF: B{d2}{d3}{d3}", "NIF A{d2}{d3}{d3}"),
    titles=("FACTURA SIMPLIFICADA", "TICKET {d6}"),
    total_labels=("IMPORTE TOTAL", "TOTAL", "TOTAL (IVA INCL.)", "IMPORTE"),
    subtotal="BASE IMPONIBLE",
    tax="IVA 21%",
    tax_added=False,
    discount="DTO. PROMOCION",
    cash="ENTREGADO",
    change="CAMBIO",
    items_count="ARTICULOS",
    footer=("GRACIAS POR SU VISITA", "CONSERVE SU TICKET"),
    known=(
        ("MERCADONA S.A.", "Mercadona", "groceries"),
        ("CARREFOUR EXPRESS", "Carrefour", "groceries"),
        ("LIDL SUPERMERCADOS", "Lidl", "groceries"),
        ("EL CORTE INGLES", "El Corte Inglés", "shopping"),
    ),
    unknown=("BAR RESTAURANTE EL PUERTO", "FRUTERIA HERMANOS GIL", "FERRETERIA LA LLAVE"),
    products=(
        "PAN BARRA",
        "LECHE ENTERA 1L",
        "ACEITE OLIVA 1L",
        "TOMATE KG",
        "JAMON SERRANO",
        "AGUA 1,5L",
        "CAFE MOLIDO 250G",
        "YOGUR NATURAL X4",
        "MANZANA KG",
        "QUESO MANCHEGO",
    ),
    streets=("C/ MAYOR {n}, MADRID", "AVDA. DIAGONAL {n}, BARCELONA", "PLAZA ESPANA {n}, SEVILLA"),
)

AR = Country(
    code="AR",
    lang="es",
    currency="ARS",
    sign="$",
    sign_after=False,
    comma_decimal=True,
    month_first=False,
    tax_id=("CUIT: 30-{d6}{d2}-{d1}", "C.U.I.T. 30-{d6}{d2}-{d1}"),
    titles=("TIQUE FACTURA B", "TICKET No {d6}"),
    total_labels=("TOTAL $", "TOTAL", "IMPORTE TOTAL $"),
    subtotal="SUBTOTAL",
    tax="IVA 21%",
    tax_added=False,
    discount="BONIFICACION",
    cash="EFECTIVO",
    change="SU VUELTO",
    items_count="CANT. ARTICULOS",
    footer=("GRACIAS POR SU COMPRA", "DEFENSA DEL CONSUMIDOR"),
    known=(("COTO C.I.C.S.A.", "Coto", "groceries"), ("DIARCO", "Diarco", "groceries")),
    unknown=("ALMACEN DON PEPE", "PANADERIA LA PERLA"),
    products=(
        "YERBA MATE 1KG",
        "FIDEOS 500G",
        "DULCE DE LECHE",
        "ASADO KG",
        "GALLETITAS",
        "LECHE 1L",
        "PAN FRANCES KG",
        "GASEOSA 2,25L",
    ),
    streets=("AV. CORRIENTES {n}, CABA", "AV. SANTA FE {n}, CABA"),
)

US = Country(
    code="US",
    lang="en",
    currency="USD",
    sign="$",
    sign_after=False,
    comma_decimal=False,
    month_first=True,
    tax_id=("STORE #{d4}", "ST# {d4} OP# {d2} TE# {d2}"),
    titles=("SALES RECEIPT", "CUSTOMER COPY"),
    total_labels=("TOTAL", "TOTAL DUE", "AMOUNT DUE", "TOTAL $"),
    subtotal="SUBTOTAL",
    tax="SALES TAX 8.875%",
    tax_added=True,
    discount="COUPON SAVINGS",
    cash="CASH",
    change="CHANGE DUE",
    items_count="ITEMS SOLD",
    footer=("THANK YOU FOR SHOPPING", "RETURNS WITHIN 30 DAYS"),
    known=(
        ("WALMART SUPERCENTER", "Walmart", "groceries"),
        ("TARGET", "Target", "shopping"),
        ("CVS PHARMACY", "CVS", "health"),
        ("TRADER JOE'S", "Trader Joe's", "groceries"),
        ("WHOLE FOODS MARKET", "Whole Foods", "groceries"),
        ("STARBUCKS COFFEE", "Starbucks", "dining"),
    ),
    unknown=("JOE'S HARDWARE", "SUNRISE DINER", "MAPLE STREET BAKERY", "CORNER DELI"),
    products=(
        "MILK 1 GAL",
        "EGGS LARGE 12CT",
        "BANANAS LB",
        "BREAD WHEAT",
        "COFFEE BEANS",
        "PAPER TOWELS",
        "CHICKEN BREAST",
        "ORANGE JUICE",
        "SHAMPOO 12OZ",
        "BATTERIES AA",
        "CHEDDAR CHEESE",
        "APPLES LB",
    ),
    streets=("{n} MAIN ST, SPRINGFIELD IL", "{n} BROADWAY, NEW YORK NY", "{n} OAK AVE, AUSTIN TX"),
)
