"""read_receipt on OCR-like rows: glued words, O for 0, distractor lines, the three languages."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

import pytest

from nlu import Receipt, TenantMerchant, merchant_overlay, read_receipt
from nlu.receipts import guess_language

TODAY = date(2026, 11, 20)

# (name, rows, call arguments, expected fields). Rows are written as the OCR returns them: glued words,
# accents dropped, a label and its amount joined by one space.
CASES: list[tuple[str, list[str], dict[str, Any], dict[str, Any]]] = [
    (
        "pt glued total, subtotal, cash and change",
        [
            "SUPERMERCADO BOA VISTA",
            "CNPJ:12.345.678/0001-90",
            "12/11/2026 10:22",
            "ARROZ TIPO 1 5KG 24,90",
            "QTD.TOTALDEITENS: 3",
            "SUBTOTALR$ 87,40",
            "VALORTOTALR$ 87,40",
            "DINHEIRO 100,00",
            "TROCO R$ 12,60",
        ],
        {"currency": "BRL"},
        {
            "total": "87.40",
            "currency": "BRL",
            "merchant": "Supermercado Boa Vista",
            "day": date(2026, 11, 12),
            "lang": "pt",
        },
    ),
    (
        "pt O read for 0 and a known merchant glued",
        ["PAODEACUCAR", "CNPJ 47.508.411/0001-56", "03-11-2026 16:30", "VALOR A PAGAR RS 1O4,5O"],
        {"currency": "BRL"},
        {"total": "104.50", "currency": "BRL", "merchant": "Pão de Açúcar", "category": "groceries"},
    ),
    (
        "pt thousands and the amount on the next row",
        ["ATACADAO S.A.", "TOTAL A PAGAR", "R$ 1.234,56", "DINHEIRO 1.300,00", "TROCO 65,44"],
        {"currency": "BRL"},
        {"total": "1234.56", "merchant": "Atacadão", "category": "groceries"},
    ),
    (
        "pt tributos line larger than nothing, total from its label",
        ["PADARIA DO ZE LTDA ME", "TOTAL R$ 15,00", "Tributos aprox.R$ 4,65"],
        {"currency": "BRL"},
        {"total": "15.00", "merchant": "Padaria Do Ze"},
    ),
    (
        "es Mexico: peso sign, IVA, efectivo and cambio",
        [
            "OXXO",
            "RFC: CCO8605231N4",
            "05/11/2026 21:13",
            "COCA COLA 600ML 18.50",
            "SUBTOTAL 75.34",
            "IVA 16% 12.06",
            "TOTALAPAGAR $ 87.40",
            "EFECTIVO $ 100.00",
            "CAMBIO $ 12.60",
        ],
        {"currency": "MXN"},
        {
            "total": "87.40",
            "currency": "MXN",
            "merchant": "Oxxo",
            "category": "groceries",
            "day": date(2026, 11, 5),
            "lang": "es",
        },
    ),
    (
        "es Spain: importe total in euros by code, IVA included",
        [
            "MERCADONA S.A.",
            "CIF: A46103834",
            "C/ MAYOR 12, MADRID",
            "18-11-2026",
            "BASE IMPONIBLE 19,38",
            "IVA21% 4,07",
            "IMPORTE TOTAL 23,45 EUR",
            "ENTREGADO 50,00",
            "CAMBIO 26,55",
        ],
        {"currency": "EUR"},
        {"total": "23.45", "currency": "EUR", "merchant": "Mercadona", "day": date(2026, 11, 18)},
    ),
    (
        "es the net amount before tax is not the total, even with importe on it",
        ["FERRETERIA LA LLAVE", "IMPORTE NETO 19,38", "IVA 21% 4,07", "TOTAL 23,45"],
        {"currency": "EUR"},
        {"total": "23.45"},
    ),
    (
        "es Argentina: S/N is no street number, su vuelto is change",
        ["ALMACEN DON PEPE", "CUIT: 30-12345678-9", "CALLE 9 S/N", "TOTAL 1.520,00", "SU VUELTO 480,00"],
        {"currency": "ARS"},
        # Not soles (S/N): pesos, which the CUIT says (locales/receipt_countries.yaml).
        {"total": "1520.00", "currency": "ARS", "merchant": "Almacen Don Pepe"},
    ),
    (
        "es Peru: soles sign",
        ["BODEGA LUCHO", "TOTAL S/ 45.90"],
        {"currency": "PEN"},
        {"total": "45.90", "currency": "PEN"},
    ),
    (
        "en US: subtotal, tax, cash, change, month first",
        [
            "TRADER JOE'S",
            "STORE #0552",
            "11/03/2026 14:05",
            "BANANAS 1.29",
            "ITEMS SOLD: 6",
            "SUBTOTAL 75.34",
            "SALESTAX8.875% 6.69",
            "TOTAL $82.03",
            "CASH 100.00",
            "CHANGE DUE 17.97",
        ],
        {"currency": "USD"},
        {
            "total": "82.03",
            "currency": "USD",
            "merchant": "Trader Joe's",
            "day": date(2026, 11, 3),
            "lang": "en",
        },
    ),
    (
        "en amount due glued, coupon savings, T0TAL for TOTAL",
        ["CORNER DELI", "SUBTOTAL 20.00", "COUPON SAVINGS -2.00", "AMOUNTDUE 19.60"],
        {"currency": "USD"},
        {"total": "19.60", "merchant": "Corner Deli"},
    ),
    (
        "en a restaurant's suggested tips after its total",
        [
            "SUNRISE DINER",
            "SUBTOTAL 50.00",
            "TAX 4.00",
            "TOTAL 54.00",
            "SUGGESTED GRATUITY",
            "18% TIP $9.72 TOTAL $63.72",
            "20% TIP $10.80 TOTAL $64.80",
        ],
        {"currency": "USD"},
        {"total": "54.00"},
    ),
    (
        "en T0TAL read with a zero",
        ["SUNRISE DINER", "T0TAL 42.18", "VISA 42.18"],
        {"currency": "USD"},
        {"total": "42.18"},
    ),
    (
        "a comma read as a full stop in thousands and cents",
        ["LOJA", "VALOR TOTAL R$ 1.204.02"],
        {"currency": "BRL"},
        {"total": "1204.02"},
    ),
    (
        "pesos chilenos have no cents: a whole total",
        ["LIDER", "TOTAL $ 12.500", "EFECTIVO $ 20.000"],
        {"currency": "CLP"},
        {"total": "12500", "currency": "CLP"},
    ),
    (
        "l for 1 leading a number and ending its cents, a date run into the time",
        ["LOJA", "03-11-202616:30", "SUBTOTAL R$ l.204,0l", "VALORTOTAL l.204,0l"],
        {"currency": "BRL"},
        {"total": "1204.01", "day": date(2026, 11, 3)},
    ),
    (
        "en thousands with commas",
        ["HOME DEPOT", "TOTAL 1,299.00"],
        {"currency": "USD"},
        {"total": "1299.00", "merchant": "Home Depot"},
    ),
    (
        "a bare $ for a user whose currency has no $ is no currency",
        ["SHOP", "TOTAL $ 12.00"],
        {"currency": "BRL"},
        {"total": "12.00", "currency": None},
    ),
    (
        "US$ is dollars for anyone",
        ["SHOP", "TOTAL US$ 12.00"],
        {"currency": "BRL"},
        {"currency": "USD"},
    ),
    (
        "MX$ is pesos and a USD code is dollars, whoever reads them",
        ["SHOP", "TOTAL MX$ 87.40"],
        {"currency": "USD"},
        {"total": "87.40", "currency": "MXN"},
    ),
    (
        "an ISO code next to the amount",
        ["SHOP", "AMOUNT DUE 12.00 USD"],
        {"currency": "EUR"},
        {"total": "12.00", "currency": "USD"},
    ),
    (
        "no total label: the amount printed twice and nothing larger",
        ["LOJA", "ARROZ 24,90", "FEIJAO 62,50", "87,40", "VALOR 87,40", "DINHEIRO 100,00"],
        {"currency": "BRL"},
        {"total": "87.40"},
    ),
    (
        "no total label and nothing printed twice: no total",
        ["LOJA", "ARROZ 24,90", "FEIJAO 62,50"],
        {"currency": "BRL"},
        {"total": None},
    ),
    (
        "a total label with no amount anywhere near: no total",
        ["LOJA", "TOTAL", "OBRIGADO"],
        {"currency": "BRL"},
        {"total": None},
    ),
    (
        "a date after today is not the receipt's",
        ["LOJA", "25/11/2026", "TOTAL 10,00"],
        {"currency": "BRL"},
        {"day": None},
    ),
    (
        "a date over a year old is a misread",
        ["LOJA", "12/10/2024", "TOTAL 10,00"],
        {"currency": "BRL"},
        {"day": None},
    ),
    (
        "day first unless impossible: 13 cannot be a month",
        ["STORE", "11/13/2026", "TOTAL 10.00"],
        {"currency": "USD", "lang": "pt"},
        {"day": date(2026, 11, 13)},
    ),
    (
        "day_first overrides the language",
        ["STORE", "03/11/2026", "TOTAL 10.00"],
        {"currency": "USD", "lang": "en", "day_first": True},
        {"day": date(2026, 11, 3)},
    ),
    (
        "ISO dates",
        ["STORE", "2026-10-02 10:00", "TOTAL 10.00"],
        {"currency": "USD"},
        {"day": date(2026, 10, 2)},
    ),
    (
        "a till row is not the bank of the same name",
        ["CAIXA 01 OPERADOR 7", "MERCADINHO SOL", "TOTAL 10,00"],
        {"currency": "BRL"},
        {"merchant": "Mercadinho Sol"},
    ),
    (
        "header rows that are ids and titles are passed over",
        ["CUPOM FISCAL ELETRONICO - SAT", "CNPJ 12.345.678/0001-90", "LANCHONETE BOM GOSTO", "TOTAL 10,00"],
        {"currency": "BRL"},
        {"merchant": "Lanchonete Bom Gosto"},
    ),
    (
        "pt NFC-e: the amount to pay after a discount, not the total before it",
        [
            "MERCADO CENTRAL",
            "Qtde. total de itens 5",
            "Valor total R$ 87,40",
            "Desconto R$ 7,40",
            "Valor a pagar R$ 80,00",
            "Cartao de Credito 80,00",
        ],
        {"currency": "BRL"},
        {"total": "80.00"},
    ),
    (
        "a greeting row and a priced row are not the name",
        ["WELCOME", "BANANAS 1.29", "TOTAL 1.29"],
        {"currency": "USD"},
        {"merchant": None},
    ),
    (
        "a known name after a greeting",
        ["BEM VINDO AO CARREFOUR", "TOTAL 1,29"],
        {"currency": "BRL"},
        {"merchant": "Carrefour"},
    ),
    (
        "en a supercenter's layout: store numbers, tax rate, tender and change, the date at the bottom",
        [
            "Walmart",
            "Save money. Live better.",
            "( 555 ) 555 - 5555",
            "ST# 01234 OP# 000123 TE# 12 TR# 01234",
            "BANANAS 000000004011 F 1.29 N",
            "MILK 007874235186 F 3.48 N",
            "SUBTOTAL 4.77",
            "TAX 1 7.000 % 0.33",
            "TOTAL 5.10",
            "CASH TEND 10.00",
            "CHANGE DUE 4.90",
            "# ITEMS SOLD 2",
            "11/03/26 14:05:33",
        ],
        {"currency": "USD"},
        {"total": "5.10", "currency": None, "merchant": "Walmart", "day": date(2026, 11, 3)},
    ),
    (
        "es a column header with importe and no amount, the euro sign lost by the OCR",
        [
            "MERCADONA, S.A. A-46103834",
            "TELEFONO: 963 123 456",
            "12/11/2026 19:45 OP: 123456",
            "Descripcion P. Unit Importe",
            "1 LECHE 0,89",
            "2 PAN 1,20 2,40",
            "TOTAL () 23,45",
            "TARJETA BANCARIA 23,45",
            "IVA BASE IMPONIBLE CUOTA",
            "10% 19,38 1,94",
        ],
        {"currency": "EUR"},
        {"total": "23.45", "merchant": "Mercadona", "day": date(2026, 11, 12)},
    ),
    (
        "pt NFC-e header row ending in Vl Total, valor pago, emission date at the bottom",
        [
            "SUPERMERCADO XYZ LTDA",
            "CNPJ: 12.345.678/0001-90 IE: 123.456.789.110",
            "Documento Auxiliar da Nota Fiscal de Consumidor Eletronica",
            "Codigo Descricao Qtde UN Vl Unit Vl Total",
            "0001 ARROZ 1 UN 24,90 24,90",
            "Valor a pagar R$ 24,90",
            "FORMA PAGAMENTO VALOR PAGO R$",
            "Dinheiro 50,00",
            "Troco R$ 25,10",
            "Emissao: 12/11/2026 10:22:33",
        ],
        {"currency": "BRL"},
        {"total": "24.90", "merchant": "Supermercado Xyz", "day": date(2026, 11, 12)},
    ),
    (
        "a weak name counts as the whole row",
        ["TARGET", "STORE T-1234", "TOTAL 5.00"],
        {"currency": "USD"},
        {"merchant": "Target", "category": "shopping"},
    ),
]


@pytest.mark.parametrize(("rows", "kwargs", "expected"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_read_receipt(rows: list[str], kwargs: dict[str, Any], expected: dict[str, Any]) -> None:
    receipt = read_receipt(rows, today=TODAY, **kwargs)
    assert isinstance(receipt, Receipt)
    for field, value in expected.items():
        if field == "total" and value is not None:
            value = Decimal(value)
        assert getattr(receipt, field) == value, field


def test_a_tenants_merchant_wins_with_its_category() -> None:
    overlay = merchant_overlay([TenantMerchant("Padaria do Zé", ("padaria ze",), "dining")])
    receipt = read_receipt(["PADARIADOZE", "TOTAL 9,50"], currency="BRL", today=TODAY, merchants=overlay)
    assert (receipt.merchant, receipt.category) == ("Padaria do Zé", "dining")


@pytest.mark.parametrize(
    ("rows", "lang"),
    [
        (["VALOR TOTAL R$ 10,00", "TROCO 0,00"], "pt"),
        (["IMPORTE 10,00", "CAMBIO 0,00"], "es"),
        (["AMOUNT DUE 10.00", "CHANGE 0.00"], "en"),
        (["TOTAL 10.00"], None),
    ],
)
def test_the_language_is_guessed_from_words_of_one_language(rows: list[str], lang: str | None) -> None:
    assert guess_language(rows) == lang
    assert read_receipt(rows, currency="USD", today=TODAY).lang == lang


def test_the_language_given_is_kept() -> None:
    assert read_receipt(["IMPORTE 10,00"], currency="EUR", today=TODAY, lang="pt").lang == "pt"


def test_no_rows_read_nothing() -> None:
    assert read_receipt([], currency="BRL", today=TODAY) == Receipt(None, None, None, None, None, None)


@pytest.mark.parametrize(
    ("rows", "reader", "currency"),
    [
        # A US visitor's Mexican receipt: the RFC says whose "$" it is.
        (["OXXO", "RFC CCO8605231N4", "TOTAL $96.30"], "USD", "MXN"),
        (["COTO", "CUIT 30-54808315-6", "TOTAL $ 332,93"], "USD", "ARS"),
        # No sign the OCR can read (its alphabet has no "€"): the CIF says euros.
        (["FRUTERIA HERMANOS GIL", "CIF B12345678", "TOTAL 658,94"], "USD", "EUR"),
        (["PADARIA BOM JESUS", "CNPJ: 44.766.766/0001-44", "VALOR TOTAL 285,11"], "USD", "BRL"),
        # No tax id: a bare "$" is the reader's, as before; a sign printed wins over a tax id.
        (["TARGET", "TOTAL $58.35"], "MXN", "MXN"),
        (["PAO DE ACUCAR", "CNPJ 47.508.411/0001-56", "TOTAL US$ 87.40"], "BRL", "USD"),
    ],
)
def test_a_tax_id_tells_the_receipts_currency(rows: list[str], reader: str, currency: str) -> None:
    assert read_receipt(rows, currency=reader, today=TODAY).currency == currency
