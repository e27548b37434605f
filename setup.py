import re
from pathlib import Path

from setuptools import find_packages, setup

HERE = Path(__file__).parent
README = HERE / "README.md"
VERSION = re.search(
	r'^__version__ = "([^"]+)"', (HERE / "auto_service_crm" / "__init__.py").read_text(), re.M
).group(1)

setup(
	name="auto_service_crm",
	version=VERSION,
	description="Client appeals of a car service station on ERPNext: every channel, "
	"identification by phone, categories, results and the hand-off into a Service Request",
	long_description=README.read_text(encoding="utf-8") if README.exists() else "",
	long_description_content_type="text/markdown",
	author="auto_service_crm contributors",
	author_email="dev@auto-service-crm.invalid",
	license="MIT",
	python_requires=">=3.10",
	packages=find_packages(exclude=["tests", "tests.*", "benchmarks", "benchmarks.*"]),
	include_package_data=True,
	zip_safe=False,
	# frappe and erpnext are installed and managed by bench.
	install_requires=["phonenumbers>=8.13"],
	extras_require={"test": ["pytest>=7", "hypothesis>=6"]},
	classifiers=[
		"Framework :: Frappe",
		"Programming Language :: Python :: 3",
	],
)
