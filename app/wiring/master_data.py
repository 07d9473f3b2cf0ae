"""Master data, users and API keys on the bus."""

from __future__ import annotations

from app.services.auth import api_keys, login, users
from app.services.auth.commands import CreateApiKey, CreateUser, IssueToken, RevokeApiKey
from app.services.bus import CommandHandler
from app.services.customers import handlers as customers
from app.services.customers.commands import CreateCustomer, UpdateCustomer
from app.services.exchange_rates import handlers as exchange_rates
from app.services.exchange_rates.commands import CreateExchangeRate
from app.services.price_lists import handlers as price_lists
from app.services.price_lists.commands import CreatePriceList, UpdatePriceList
from app.services.products import handlers as products
from app.services.products.commands import CreateProduct, UpdateProduct
from app.services.suppliers import handlers as suppliers
from app.services.suppliers.commands import CreateSupplier, UpdateSupplier
from app.services.vehicles import handlers as vehicles
from app.services.vehicles.commands import CreateVehicle, UpdateVehicle
from app.services.warehouses import bins
from app.services.warehouses import handlers as warehouses
from app.services.warehouses.commands import CreateWarehouse, SetBinLocation, UpdateWarehouse

COMMANDS: dict[type, CommandHandler] = {
    CreateApiKey: api_keys.create_api_key,
    CreateUser: users.create_user,
    IssueToken: login.issue_access_token,
    RevokeApiKey: api_keys.revoke_api_key,
    CreateCustomer: customers.create_customer,
    UpdateCustomer: customers.update_customer,
    CreateExchangeRate: exchange_rates.create_exchange_rate,
    CreatePriceList: price_lists.create_price_list,
    UpdatePriceList: price_lists.update_price_list,
    CreateProduct: products.create_product,
    UpdateProduct: products.update_product,
    CreateSupplier: suppliers.create_supplier,
    UpdateSupplier: suppliers.update_supplier,
    CreateVehicle: vehicles.create_vehicle,
    UpdateVehicle: vehicles.update_vehicle,
    CreateWarehouse: warehouses.create_warehouse,
    SetBinLocation: bins.set_bin_location,
    UpdateWarehouse: warehouses.update_warehouse,
}
